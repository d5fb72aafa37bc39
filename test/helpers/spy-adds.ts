/**
 * A `withStore` that hands out the real store with its `add` recorded: what a write
 * path gives the commit (for example, terms counted ahead), seen without changing it.
 */
import type { StorageBackend, WithStoreOptions } from '../../src/core/backend/types.js'
import type { ChunkInput, VectorStore } from '../../src/core/store/types.js'

export const spyAdds = (withStore: StorageBackend['withStore'], options: Partial<WithStoreOptions> = {}) => {
  const added: ChunkInput[] = []
  const spied: StorageBackend['withStore'] = (scope, fn, given) =>
    withStore(scope, (store) => fn(new Proxy(store, {
      get: (target, key) => {
        if (key === 'add') return (chunks: ChunkInput[], addOptions?: Parameters<VectorStore['add']>[1]) => (added.push(...chunks), target.add(chunks, addOptions))
        const value = Reflect.get(target, key) as unknown
        return typeof value === 'function' ? value.bind(target) : value
      },
    })), { ...given, ...options })
  return { withStore: spied, added }
}
