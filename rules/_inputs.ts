/** The output directory of a dependency a rule's config names, or an error saying it is not among the target's deps. */
export function inputDir(inputs: Readonly<Record<string, { dir(): string }>>, rule: string, label: string): string {
  const found = inputs[label];
  if (!found) throw new Error(`${rule} reads ${label}, which is not among this target's deps`);
  return found.dir();
}
