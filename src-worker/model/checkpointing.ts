/**
 * Activation checkpointing (what open_clip calls --grad-checkpointing): a residual block keeps only its
 * input for the backward pass and computes its forward again when its gradient is needed. The memory
 * kept per block drops from every intermediate (about 100 MB per sample and block for ViT-B/16) to
 * the block input (0.6 MB), for one more forward pass (about a third more compute). This is what lets
 * ViT-B/16 train at useful batch sizes inside the wasm backend's 4 GiB heap.
 *
 * The gradients are exactly those of the plain block: the recomputation runs the same ops on the same
 * inputs and differentiates them with tf.grads.
 */
import * as tf from '@tensorflow/tfjs';

let enabled = false;

/** Turns checkpointing of residual blocks on or off for this process (the trainer decides per run). */
export function setActivationCheckpointing(on: boolean): void {
  enabled = on;
}

export function activationCheckpointing(): boolean {
  return enabled;
}

interface EngineTapeState { activeTape: unknown; gradientDepth: number }

/**
 * `block(x, weights, constants)` with its intermediates recomputed in the backward pass instead of kept.
 * `weights` are every tensor the block reads that may need a gradient (the trainable variables);
 * `constants` are other tensors it reads (a mask): they are kept for the recomputation, since tensors
 * made during the forward pass are freed before the backward pass, and get no gradient.
 */
export function checkpointed(
  block: (x: tf.Tensor2D, weights: readonly tf.Tensor[], constants: readonly tf.Tensor[]) => tf.Tensor2D,
  x: tf.Tensor2D, weights: readonly tf.Tensor[], constants: readonly tf.Tensor[] = [],
): tf.Tensor2D {
  const nW = weights.length;
  const run = (inputs: readonly tf.Tensor[]): tf.Tensor2D => block(inputs[0] as tf.Tensor2D, inputs.slice(1, 1 + nW), inputs.slice(1 + nW));
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs = args.slice(0, -1) as tf.Tensor[];
    save(inputs);
    return {
      value: run(inputs),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const differentiable = saved.slice(0, 1 + nW);
        const fixed = saved.slice(1 + nW);
        // tf.grads inside a backward pass: it starts and, when done, clears the engine's tape, which the
        // outer gradient computation still holds (it frees the tape's saved tensors at its end), so the
        // outer tape is put back afterwards.
        const state = (tf.engine() as unknown as { state: EngineTapeState }).state;
        const outerTape = state.activeTape;
        try {
          const grads = tf.grads((...xs: tf.Tensor[]) => run([...xs, ...fixed]))(differentiable, dy as tf.Tensor);
          return [...grads, ...fixed.map((c) => tf.zerosLike(c))];
        } finally {
          state.activeTape = outerTape;
        }
      },
    };
  });
  return op(x, ...weights, ...constants) as tf.Tensor2D;
}
