/** Run `fn` over items with at most `limit` at a time (limit <= 0: all at once). */
export async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const width = limit > 0 ? Math.min(limit, items.length) : items.length;
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: width }, worker));
}
