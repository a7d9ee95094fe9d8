// Discovery's APIResource, as the server sends it and the client reads it (meta/v1 APIResource).

export interface APIResource {
  /** The plural (`roles`), or `roles/status` for a subresource. */
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** Set only where the resource's group/version differs from the list's. */
  group?: string;
  version?: string;
  storageVersionHash?: string;
}
