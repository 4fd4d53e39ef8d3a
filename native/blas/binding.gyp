{
  "targets": [
    {
      "target_name": "clipwb_blas",
      "sources": ["blas.c"],
      "cflags": ["-O2", "-std=c11", "<!@(pkg-config --cflags openblas)"],
      "libraries": ["<!@(pkg-config --libs openblas)"]
    }
  ]
}
