/**
 * Monotone layer alignment by dynamic programming (in the spirit of GhostSpec's POSA and
 * sequence alignment): each layer of B maps to at most one layer of A, order is preserved, an A
 * layer may be reused by consecutive B layers (duplication) and any layer may stay unmatched
 * (removal / insertion). Only pairs with positive score are worth matching.
 */

/** A matched pair (A layer, B layer). */
export interface LayerPair {
  readonly a: number;
  readonly b: number;
}

/** Best monotone alignment maximising the total score of matched pairs. `score[i][j]` is for A layer i, B layer j. */
export function alignLayers(score: readonly (readonly number[])[]): LayerPair[] {
  const la = score.length;
  const lb = score[0]?.length ?? 0;
  // dp[i][j]: best total using A layers < i and B layers < j; matchedLast allows reuse of A layer i-1.
  const NEG = -Infinity;
  const dp = Array.from({ length: la + 1 }, () => new Float64Array(lb + 1).fill(0));
  const reuse = Array.from({ length: la + 1 }, () => new Float64Array(lb + 1).fill(NEG)); // best ending with (i-1, j-1) matched
  const from = Array.from({ length: la + 1 }, () => new Int8Array(lb + 1)); // 0 skipA 1 skipB 2 match-new 3 match-reuse
  const fromR = Array.from({ length: la + 1 }, () => new Int8Array(lb + 1));
  for (let i = 1; i <= la; i++) {
    for (let j = 1; j <= lb; j++) {
      const s = score[i - 1]?.[j - 1] ?? NEG;
      // a state that ends by matching (i-1, j-1): either fresh from dp[i-1][j-1] or reusing A layer i-1 from reuse[i][j-1]
      const fresh = (dp[i - 1]?.[j - 1] ?? 0) + s;
      const again = (reuse[i]?.[j - 1] ?? NEG) + s;
      const rowR = reuse[i] as Float64Array;
      if (again > fresh) {
        rowR[j] = again;
        (fromR[i] as Int8Array)[j] = 3;
      } else {
        rowR[j] = fresh;
        (fromR[i] as Int8Array)[j] = 2;
      }
      const skipA = dp[i - 1]?.[j] ?? 0;
      const skipB = dp[i]?.[j - 1] ?? 0;
      let best = skipA;
      let how = 0;
      if (skipB > best) {
        best = skipB;
        how = 1;
      }
      if (s > 0 && (rowR[j] as number) > best) {
        best = rowR[j] as number;
        how = 4; // take the matched state
      }
      (dp[i] as Float64Array)[j] = best;
      (from[i] as Int8Array)[j] = how;
    }
  }
  const pairs: LayerPair[] = [];
  let i = la;
  let j = lb;
  let inMatch = false;
  while (i > 0 && j > 0) {
    if (!inMatch) {
      const how = from[i]?.[j] ?? 0;
      if (how === 0) i--;
      else if (how === 1) j--;
      else inMatch = true;
      continue;
    }
    pairs.push({ a: i - 1, b: j - 1 });
    const how = fromR[i]?.[j] ?? 2;
    if (how === 3) {
      j--; // same A layer, previous B layer also matched to it
    } else {
      i--;
      j--;
      inMatch = false;
    }
  }
  return pairs.reverse();
}
