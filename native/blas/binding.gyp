{
  "targets": [
    {
      "target_name": "clipwb_blas",
      "sources": ["blas.c", "elementwise.c"],
      "cflags": ["-O3", "-ffast-math", "-std=gnu11", "<!@(pkg-config --cflags openblas)"],
      "libraries": ["<!@(pkg-config --libs openblas)"]
    }
  ]
}
