export interface Embedder {
  /** Stable id recorded in each store, e.g. `local-hash-v1:384`. Two embedders with one id give the same vectors. */
  readonly id: string
  readonly dimension: number
  embed(texts: string[]): Promise<Float32Array[]>
}
