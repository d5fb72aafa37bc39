import type { ChalkInstance } from 'chalk'
import type { QuotaReport } from '../../ops/quota.js'
import { formatBytes, formatCount } from './format.js'

const line = (label: string, used: string, limit: string | null, source: string, over: boolean, paint: ChalkInstance): string =>
  `  ${label.padEnd(10)} ${limit === null ? `${used} (no quota)` : `${over ? paint.red(used) : used} of ${limit} (${source === 'scope' ? "the scope's own" : 'the default'})`}\n`

/** `bento quota <key>`: usage against each limit, and where the limit comes from. */
export const renderQuota = (report: QuotaReport, paint: ChalkInstance): string =>
  `${paint.bold(report.key)}\n` +
  line('disk', formatBytes(report.usage.bytes), report.quota.maxBytes === null ? null : formatBytes(report.quota.maxBytes), report.source.maxBytes, report.quota.maxBytes !== null && report.usage.bytes > report.quota.maxBytes, paint) +
  line('documents', formatCount(report.usage.documents), report.quota.maxDocuments === null ? null : formatCount(report.quota.maxDocuments), report.source.maxDocuments, report.quota.maxDocuments !== null && report.usage.documents > report.quota.maxDocuments, paint)
