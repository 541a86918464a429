// The Python front end's random stream (torch.manual_seed, randn, rand, randint,
// nn init): deterministic per seed, but not PyTorch's own stream (its Mersenne
// Twister/Philox sequences are not reproduced), so values differ from torch's.

export class Rng {
  private state = 1;
  private spare: number | undefined;
  constructor(seed: number) {
    this.seed(seed);
  }
  seed(s: number): void {
    this.state = (s >>> 0) ^ 0x9e3779b9 || 1;
    this.spare = undefined;
  }
  /** Uniform in [0, 1) (mulberry32). */
  uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}
