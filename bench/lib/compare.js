/**
 * One Bento-vs-baseline figure as it goes into results JSON and the docs.
 * `better: 'lower'` for times (ratio = Bento/baseline, target is a maximum);
 * `better: 'higher'` for throughputs (ratio = Bento/baseline, target a minimum).
 */
export const comparison = ({ name, bento, baseline, unit, better = 'lower', target, pairs, note }) => {
  const met = target === undefined ? undefined : better === 'lower' ? pairs.ratio.median <= target : pairs.ratio.median >= target
  return {
    name,
    bento,
    baseline,
    unit,
    better,
    target,
    met,
    ratio: pairs.ratio,
    cpuRatio: pairs.cpuRatio,
    bentoValue: pairs.bento,
    baselineValue: pairs.baseline,
    samples: pairs.samples,
    note,
  }
}

/** A standalone figure (no baseline), e.g. recall, MB/s, RSS. */
export const figure = ({ name, value, unit, target, better = 'higher', command, note, spread }) => ({
  name,
  value,
  unit,
  target,
  better,
  met: target === undefined ? undefined : better === 'higher' ? value >= target : value <= target,
  command,
  note,
  spread,
})
