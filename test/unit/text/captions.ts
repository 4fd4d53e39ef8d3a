/** Deterministic synthetic captions for the trainer tests (a few thousand, short, with repeats). */
const SUBJECTS = ['cat', 'dog', 'horse', 'red car', 'old bicycle', 'sneaker', 'ankle boot', 'T-shirt', 'pullover', 'sandal', 'handbag', 'café table'];
const TEMPLATES = [
  'a photo of a {}.',
  'A blurry photo of the {}',
  'a close-up photo of my {}!',
  "it's a {} on the grass",
  'two {}s next to 3 chairs',
  'The {} &amp; the bag, 1990s style',
];
const ADJECTIVES = ['', 'small ', 'large ', 'dirty ', 'shiny ', 'striped '];

export function syntheticCaptions(): string[] {
  const out: string[] = [];
  for (const t of TEMPLATES) for (const a of ADJECTIVES) for (const s of SUBJECTS) out.push(t.replace('{}', a + s));
  return out;
}
