// One decode and one serialization of each stored event, shared by every watch stream it goes to: a fan-out to
// 1,000 watchers otherwise parses and stringifies the same value 1,000 times. Held weakly by the KeyValue, so an
// entry lives as long as the event does (the hub's ring buffer, a delivery in progress).

import type { KubeObject } from "../machinery/meta.js";
import { decodeObject } from "../store/keys.js";
import type { KeyValue } from "../store/store.js";

export class SharedEventDecoder {
  private readonly objects = new WeakMap<KeyValue, KubeObject>();
  private readonly texts = new WeakMap<KeyValue, string>();

  /** The decoded object, shared: callers read it and never change it. */
  readonly object = (kv: KeyValue): KubeObject => {
    let obj = this.objects.get(kv);
    if (!obj) this.objects.set(kv, (obj = decodeObject(kv)));
    return obj;
  };

  /** The object as JSON, as it goes on the wire. */
  json(kv: KeyValue): string {
    let text = this.texts.get(kv);
    if (text === undefined) this.texts.set(kv, (text = JSON.stringify(this.object(kv))));
    return text;
  }
}
