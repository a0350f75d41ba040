/**
 * A live copy of every key under a prefix: listed once, then kept current by a watch. Members,
 * segments, assignments and loaded reports are all read this way.
 *
 * The MetaStore's `range` does not say at which revision it read, so the watch starts from a
 * revision taken before the listing. Events between that revision and the listing are then
 * applied a second time; each event sets or removes one key, so replaying them converges to
 * the same state (a listener may briefly see an older value, never a wrong final one).
 */
import type { MetaStore, Watcher } from '../meta/meta-store.ts';

export interface PrefixView {
  /** Key (without the prefix) → value, as of the last event applied. */
  readonly entries: ReadonlyMap<string, string>;
  close(): Promise<void>;
}

export async function openPrefixView(
  store: MetaStore,
  prefix: string,
  onChange: (entries: ReadonlyMap<string, string>) => void = () => {},
): Promise<PrefixView> {
  const entries = new Map<string, string>();
  const revision = await store.revision();
  let ready = false;
  const queued: (() => void)[] = [];
  const watcher: Watcher = await store.watch(prefix, revision, (events) => {
    const apply = () => {
      for (const event of events) {
        const name = event.key.slice(prefix.length);
        if (event.type === 'put') entries.set(name, event.value);
        else entries.delete(name);
      }
      onChange(entries);
    };
    // Until the listing is in, events wait, so they land on top of it.
    if (ready) apply();
    else queued.push(apply);
  });
  try {
    for (const kv of await store.range(prefix)) entries.set(kv.key.slice(prefix.length), kv.value);
  } catch (error) {
    await watcher.close();
    throw error;
  }
  ready = true;
  for (const apply of queued) apply();
  if (queued.length === 0) onChange(entries);
  return { entries, close: () => watcher.close() };
}
