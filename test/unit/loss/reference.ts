/**
 * Plain-JavaScript Float64 references of every loss, written from docs/design/algorithms.md with loops and no
 * tensors, so the tests compare the tfjs code against an independent reading of the formulas.
 *
 * "Local" rows (e1, e2) are the variables; gathered rows (E1, E2) are constants (equal to the local
 * ones at the base point when K = 1). Finite differences perturb only the variables.
 */
export type Mat = number[][];

export const dot = (a: number[], b: number[]): number => a.reduce((s, x, k) => s + x * b[k]!, 0);

/** −log softmax(row)[label]. */
function crossEntropyRow(row: number[], label: number): number {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
  return lse - row[label]!;
}

function softmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((x) => Math.exp(x - m));
  const z = e.reduce((s, x) => s + x, 0);
  return e.map((x) => x / z);
}

function logSoftmax(row: number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
  return row.map((x) => x - lse);
}

const logits = (rows: Mat, cols: Mat, scale: number): Mat => rows.map((r) => cols.map((c) => scale * dot(r, c)));

// ---------------------------------------------------------------- CLIP InfoNCE

/** ½[CE(s·e1·colsTextᵀ) + CE(s·e2·colsImageᵀ)], labels offset + i. K = 1: cols are the rows themselves. */
export function refClip(e1: Mat, e2: Mat, theta: number, cols?: { E1: Mat; E2: Mat; offset: number }): number {
  const s = Math.exp(theta);
  const E1 = cols?.E1 ?? e1;
  const E2 = cols?.E2 ?? e2;
  const offset = cols?.offset ?? 0;
  const perImage = logits(e1, E2, s);
  const perText = logits(e2, E1, s);
  let ce = 0;
  for (let i = 0; i < e1.length; i++) ce += crossEntropyRow(perImage[i]!, offset + i) + crossEntropyRow(perText[i]!, offset + i);
  return ce / (2 * e1.length);
}

// ---------------------------------------------------------------- FastCLIP, global temperature

/** g1_i, g2_i: local anchor i against every gathered column except its own (offset + i), divisor n − 1. */
export function refGlobalG(e1: Mat, e2: Mat, E1: Mat, E2: Mat, theta: number, offset: number): { g1: number[]; g2: number[] } {
  const s = Math.exp(theta);
  const n = E1.length;
  const g1: number[] = [];
  const g2: number[] = [];
  for (let i = 0; i < e1.length; i++) {
    const d = dot(e1[i]!, e2[i]!);
    let a = 0;
    let c = 0;
    for (let j = 0; j < n; j++) {
      if (j === offset + i) continue;
      a += Math.exp(s * (dot(e1[i]!, E2[j]!) - d));
      c += Math.exp(s * (dot(e2[i]!, E1[j]!) - d));
    }
    g1.push(a / (n - 1));
    g2.push(c / (n - 1));
  }
  return { g1, g2 };
}

/** u_new = (1 − γ)·u_old·rescale + γ·g, or g for a never-seen entry (old u < 1e-35, ±inf, NaN) when γ < 1. */
export function refUUpdate(uOld: number[], g: number[], gamma: number, rescale?: number[]): number[] {
  return uOld.map((u, i) => {
    const unseen = u < 1e-35 || !Number.isFinite(u);
    if (gamma < 1 && unseen) return g[i]!;
    return (1 - gamma) * u * (rescale?.[i] ?? 1) + gamma * g[i]!;
  });
}

export interface GlobalSurrogateArgs {
  e1: Mat; e2: Mat; E1: Mat; E2: Mat; offset: number;
  theta: number;
  /** s treated as a constant (the seed's logit_scale.detach()). */
  sDetached: number;
  /** New u of the local rows and of every gathered row. */
  u1: number[]; u2: number[]; U1: number[]; U2: number[];
  rho: number; eps: number; multiplyTau: boolean;
}

export function refGlobalSurrogate(a: GlobalSurrogateArgs): number {
  const s = Math.exp(a.theta);
  const b = a.e1.length;
  const n = a.E1.length;
  const { g1, g2 } = refGlobalG(a.e1, a.e2, a.E1, a.E2, a.theta, a.offset);
  let term1 = 0;
  for (let i = 0; i < b; i++) term1 += g1[i]! / (a.u1[i]! + a.eps) + g2[i]! / (a.u2[i]! + a.eps);
  term1 /= b;

  const W = (b * (n - 1)) / n;
  let term2 = 0;
  for (let j = 0; j < n; j++) {
    const D = dot(a.E1[j]!, a.E2[j]!);
    let h1 = 0;
    let h2 = 0;
    for (let i = 0; i < b; i++) {
      if (a.offset + i === j) continue;
      h1 += Math.exp(s * (dot(a.E1[j]!, a.e2[i]!) - D));
      h2 += Math.exp(s * (dot(a.E2[j]!, a.e1[i]!) - D));
    }
    term2 += h1 / W / (a.U1[j]! + a.eps) + h2 / W / (a.U2[j]! + a.eps);
  }
  term2 /= n;

  const A = (term1 + term2) / 2;
  if (!a.multiplyTau) return A;
  let logU = 0;
  for (let i = 0; i < b; i++) logU += Math.log(a.u1[i]!) + Math.log(a.u2[i]!);
  return A / a.sDetached + a.rho / s + logU / (2 * b) / s;
}

// ---------------------------------------------------------------- FastCLIP v2, individual temperatures

export interface IndividualSideArgs {
  /** Centred similarities (e·E_j − d_i) are built from these. */
  anchors: Mat; others: Mat; diag: number[]; offset: number;
  tau: number[]; bound: number[]; uOld: number[]; m: number[]; v: number[];
  gamma: number; epoch: number; beta1: number; beta2: number; lrTau: number; epsTau: number; rho: number; eps: number;
}

/** Term 1 and the host updates of one modality for the local rows (docs/design/algorithms.md#individual-temperatures-v2). */
export function refIndividualSide(a: IndividualSideArgs) {
  const n = a.others.length;
  const b = a.anchors.length;
  const out = { g: [] as number[], bound: [] as number[], u: [] as number[], grad: [] as number[], m: [] as number[], v: [] as number[], tau: [] as number[] };
  const beta1 = a.epoch > 0 ? a.beta1 : 0;
  const beta2 = a.epoch > 0 ? a.beta2 : 0;
  for (let i = 0; i < b; i++) {
    const diff = a.others.map((c) => (dot(a.anchors[i]!, c) - a.diag[i]!) / a.tau[i]!);
    const bound = Math.max(a.bound[i]!, ...diff);
    let sum = 0;
    let weighted = 0;
    for (let j = 0; j < n; j++) {
      if (j === a.offset + i) continue;
      const e = Math.exp(diff[j]! - bound);
      sum += e;
      weighted += e * diff[j]!;
    }
    const g = sum / (n - 1);
    const u = refUUpdate([a.uOld[i]!], [g], a.gamma, [Math.exp(a.bound[i]! - bound)])[0]!;
    const raw = -weighted / (u + a.eps) / (n - 1) + Math.log(u + a.eps) + bound + a.rho;
    const grad = Math.min(5, Math.max(-5, raw));
    const m = beta1 * a.m[i]! + (1 - beta1) * grad;
    const v = beta2 * a.v[i]! + (1 - beta2) * grad * grad;
    const mHat = m / (1 - beta1 ** (a.epoch + 1));
    const vHat = v / (1 - beta2 ** (a.epoch + 1));
    const tau = Math.min(1, Math.max(0.01, a.tau[i]! - (a.lrTau * mHat) / (Math.sqrt(vHat) + a.epsTau)));
    out.g.push(g); out.bound.push(bound); out.u.push(u); out.grad.push(grad); out.m.push(m); out.v.push(v); out.tau.push(tau);
  }
  return out;
}

export interface IndividualSurrogateArgs {
  e1: Mat; e2: Mat; E1: Mat; E2: Mat; offset: number;
  /** Local rows: OLD τ, NEW bounds, NEW u. */
  tau1: number[]; tau2: number[]; bound1: number[]; bound2: number[]; u1: number[]; u2: number[];
  /** Gathered rows: OLD τ, NEW bounds, NEW u. */
  T1: number[]; T2: number[]; B1: number[]; B2: number[]; U1: number[]; U2: number[];
  eps: number;
}

export function refIndividualSurrogate(a: IndividualSurrogateArgs): number {
  const b = a.e1.length;
  const n = a.E1.length;
  let term1 = 0;
  for (let i = 0; i < b; i++) {
    const d = dot(a.e1[i]!, a.e2[i]!);
    let s1 = 0;
    let s2 = 0;
    for (let j = 0; j < n; j++) {
      if (j === a.offset + i) continue;
      s1 += Math.exp((dot(a.e1[i]!, a.E2[j]!) - d) / a.tau1[i]! - a.bound1[i]!);
      s2 += Math.exp((dot(a.e2[i]!, a.E1[j]!) - d) / a.tau2[i]! - a.bound2[i]!);
    }
    term1 += s1 / (n - 1) / (a.u1[i]! + a.eps) + s2 / (n - 1) / (a.u2[i]! + a.eps);
  }
  term1 /= b;
  const W = (b * (n - 1)) / n;
  let term2 = 0;
  for (let j = 0; j < n; j++) {
    const D = dot(a.E1[j]!, a.E2[j]!);
    let h1 = 0;
    let h2 = 0;
    for (let i = 0; i < b; i++) {
      if (a.offset + i === j) continue;
      h1 += Math.exp((dot(a.E1[j]!, a.e2[i]!) - D) / a.T1[j]! - a.B1[j]!);
      h2 += Math.exp((dot(a.E2[j]!, a.e1[i]!) - D) / a.T2[j]! - a.B2[j]!);
    }
    term2 += h1 / W / (a.U1[j]! + a.eps) + h2 / W / (a.U2[j]! + a.eps);
  }
  term2 /= n;
  return (term1 + term2) / 2;
}

// ---------------------------------------------------------------- distillation (K = 1)

export function refFeatureDistill(e1: Mat, e2: Mat, t1: Mat, t2: Mat): number {
  const msd = (a: Mat, b: Mat) => a.reduce((s, r, i) => s + r.reduce((q, x, k) => q + (x - b[i]![k]!) ** 2, 0), 0) / a.length;
  return msd(t1, e1) + msd(t2, e2);
}

/** Columns are the (differentiable) student rows themselves, as the seed computes it on one process. */
export function refSoftDistill(kind: 'cross_entropy' | 'kl', e1: Mat, e2: Mat, t1: Mat, t2: Mat, theta: number, sT: number): number {
  const s = Math.exp(theta);
  const direction = (student: Mat, teacher: Mat) => {
    let total = 0;
    for (let i = 0; i < student.length; i++) {
      const p = softmax(teacher[i]!);
      const logP = logSoftmax(teacher[i]!);
      const logQ = logSoftmax(student[i]!);
      for (let j = 0; j < p.length; j++) {
        total += kind === 'kl' ? p[j]! * (logP[j]! - logQ[j]!) : -p[j]! * logQ[j]!;
      }
    }
    return total / student.length;
  };
  return (direction(logits(e1, e2, s), logits(t1, t2, sT)) + direction(logits(e2, e1, s), logits(t2, t1, sT))) / 2;
}

/** Student rows against (gathered) teacher columns with the student scale, labels offset + i. */
export function refInteractive(e1: Mat, e2: Mat, T1: Mat, T2: Mat, theta: number, offset = 0): number {
  const s = Math.exp(theta);
  const a = logits(e1, T2, s);
  const c = logits(e2, T1, s);
  let ce = 0;
  for (let i = 0; i < e1.length; i++) ce += crossEntropyRow(a[i]!, offset + i) + crossEntropyRow(c[i]!, offset + i);
  return ce / (2 * e1.length);
}

// ---------------------------------------------------------------- finite differences

/** Central differences of f with respect to every entry of x (x is restored afterwards). */
export function numericGradient(f: () => number, x: Mat, h = 1e-6): Mat {
  return x.map((row) => row.map((_, k) => {
    const keep = row[k]!;
    row[k] = keep + h;
    const up = f();
    row[k] = keep - h;
    const down = f();
    row[k] = keep;
    return (up - down) / (2 * h);
  }));
}

export function numericDerivative(f: (t: number) => number, t: number, h = 1e-6): number {
  return (f(t + h) - f(t - h)) / (2 * h);
}
