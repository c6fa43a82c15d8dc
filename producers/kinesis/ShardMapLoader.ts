import type { ShardMap } from '../../kinesis/ShardMap.js';

/**
 * Loads a stream's shard map for the aggregator: once, on first need, shared by every caller that asks
 * meanwhile; and again in the background when a resharding shows up, one reload at a time, while puts
 * carry on with the old map. A failed first load is not kept (the next caller tries again); a failed
 * reload keeps the old map, which still routes correctly for every shard that exists.
 *
 * @example
 * ```ts
 * const maps = new ShardMapLoader(() => ShardMap.load(client, stream, retry), (map) => aggregator.useShardMap(map));
 * await maps.load();   // before the first aggregated record
 * maps.refresh();      // Kinesis put a record on another shard than predicted
 * ```
 */
export class ShardMapLoader {
  readonly #load: () => Promise<ShardMap>;
  readonly #onLoaded: (map: ShardMap, reloaded: boolean) => void;
  #first: Promise<ShardMap> | undefined;
  #loaded = false;
  #refreshing = false;

  /**
   * @param load - lists the stream's shards (ListShards through the retrier, in the sink)
   * @param onLoaded - receives each map as it arrives; `reloaded` is false for the first one
   */
  public constructor(load: () => Promise<ShardMap>, onLoaded: (map: ShardMap, reloaded: boolean) => void) {
    this.#load = load;
    this.#onLoaded = onLoaded;
  }

  /** Whether a background reload is under way. */
  public get refreshing(): boolean {
    return this.#refreshing;
  }

  /**
   * The first map: loaded on the first call, shared with every call made while it loads.
   *
   * @returns the map, or the load's error (a later call tries again)
   */
  public load(): Promise<ShardMap> {
    this.#first ??= this.#load().then(
      (map) => {
        this.#loaded = true;
        this.#onLoaded(map, false);
        return map;
      },
      (err: unknown) => {
        this.#first = undefined;
        throw err;
      },
    );
    return this.#first;
  }

  /**
   * Reloads the map in the background (nothing to await). Ignored before the first map arrived and
   * while a reload runs.
   */
  public refresh(): void {
    if (this.#refreshing || !this.#loaded) return;
    this.#refreshing = true;
    this.#load()
      .then((map) => this.#onLoaded(map, true))
      .catch(() => {
        // Keep the old map: routing stays correct for every shard that still exists.
      })
      .finally(() => {
        this.#refreshing = false;
      });
  }
}
