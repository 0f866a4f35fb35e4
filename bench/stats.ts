/** The middle value (the upper one of an even count): what every latency column reports. */
export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The list turned left by `by` places: interleaved measurements take turns at going first. */
export const rotated = <T>(list: readonly T[], by: number): T[] => {
  const shift = ((by % list.length) + list.length) % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
};
