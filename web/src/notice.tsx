/** A message in plain words: errors interrupt (role=alert), the rest is announced politely. */
import type { ComponentChildren } from 'preact'

export type Tone = 'info' | 'success' | 'error'

export const Notice = ({ tone, children, id }: { tone: Tone; children: ComponentChildren; id?: string }) => (
  <p class={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'} id={id}>
    {children}
  </p>
)

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
