// Reference detector in the spirit of NAB's "windowed Gaussian": the score is 1 minus the
// Gaussian tail probability of |z| against the mean and spread of a trailing window that is
// refreshed every `step` points.

export interface WindowedGaussian {
  update(value: number): number;
}

export function createWindowedGaussian(windowSize = 6400, step = 100): WindowedGaussian {
  const window: number[] = [];
  let pending: number[] = [];
  let mean = 0;
  let sd = 1;
  let fillSum = 0;
  let fillSquares = 0;

  const refresh = (): void => {
    let sum = 0;
    for (const v of window) sum += v;
    mean = sum / window.length;
    let squares = 0;
    for (const v of window) squares += (v - mean) * (v - mean);
    sd = Math.sqrt(squares / window.length) || 1e-6;
  };

  return {
    update(value: number): number {
      const score = window.length > 0 ? 1 - 0.5 * erfc(Math.abs(value - mean) / sd / Math.SQRT2) : 0;
      if (window.length < windowSize) {
        // While filling, running sums give the same mean and spread in O(1).
        window.push(value);
        fillSum += value;
        fillSquares += value * value;
        mean = fillSum / window.length;
        sd = Math.sqrt(Math.max(0, fillSquares / window.length - mean * mean)) || 1e-6;
      } else {
        pending.push(value);
        if (pending.length === step) {
          window.splice(0, step);
          window.push(...pending);
          pending = [];
          refresh();
        }
      }
      return score;
    },
  };
}

/** Complementary error function, Numerical Recipes' Chebyshev fit (~1e-7 relative error). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
