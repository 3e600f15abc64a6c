/**
 * In a storm twenty titles look alike ("Disk full on web-1 in eu-west-1", "... web-2 ..."); on a
 * phone the part that differs is cut off. This finds, for each incident whose title looks like at
 * least two others' (same number of words, most of them in the same places), the words that differ
 * within its group, so the list can show them first.
 */
export function distinctParts(items: readonly { id: string; title: string }[], minGroup = 3): Map<string, string> {
  const out = new Map<string, string>();
  const byLength = new Map<number, { id: string; words: string[] }[]>();
  for (const i of items) {
    const words = i.title.trim().split(/\s+/);
    if (words.length < 2) continue;
    const list = byLength.get(words.length) ?? [];
    list.push({ id: i.id, words });
    byLength.set(words.length, list);
  }
  for (const [n, list] of byLength) {
    const left = [...list];
    for (let seed = left[0]; seed && left.length >= minGroup; seed = left[0]) {
      const alike = (w: string[]) => w.filter((x, k) => x === seed.words[k]).length / n >= 0.6;
      const group = left.filter((x) => alike(x.words));
      for (const g of group) left.splice(left.indexOf(g), 1);
      if (group.length < minGroup) continue;
      const same = seed.words.map((w, k) => group.every((g) => g.words[k] === w));
      if (same.every(Boolean)) continue; // identical titles: nothing tells them apart
      for (const g of group) out.set(g.id, g.words.filter((_, k) => !same[k]).join(' '));
    }
  }
  return out;
}
