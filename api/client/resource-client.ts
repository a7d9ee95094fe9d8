// The RestClient bound to one resource (`roles`), typed by its object; it lives beside RestClient, which makes it.

export { ResourceClient } from "./rest-client.js";
