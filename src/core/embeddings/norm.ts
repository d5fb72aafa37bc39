/**
 * The Euclidean norm of a vector, bit for bit what `Math.hypot(...vector)` gives
 * in V8 (scale by the largest magnitude, Kahan-summed squares), without spreading
 * the vector into arguments: the spread of 384 floats cost 12 µs, half of a
 * query's embedding. Bit equality keeps the local embedder's vectors, and so its
 * id's promise, unchanged. Test: test/core/embeddings/norm.test.ts.
 */
export const euclideanNorm = (vector: ArrayLike<number>): number => {
  let max = 0
  let nan = false
  for (let i = 0; i < vector.length; i++) {
    const magnitude = Math.abs(vector[i]!)
    if (Number.isNaN(magnitude)) nan = true
    else if (magnitude > max) max = magnitude
  }
  if (max === Infinity) return Infinity
  if (nan) return NaN
  if (max === 0) return 0
  let sum = 0
  let compensation = 0
  for (let i = 0; i < vector.length; i++) {
    const scaled = Math.abs(vector[i]!) / max
    const summand = scaled * scaled - compensation
    const preliminary = sum + summand
    compensation = preliminary - sum - summand
    sum = preliminary
  }
  return Math.sqrt(sum) * max
}
