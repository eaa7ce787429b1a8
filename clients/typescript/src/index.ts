/**
 * TypeScript SDK for the SpaceCloud HTTP API.
 *
 * The SDK is the generated types (`./schema.ts`, from `openapi/openapi.json` by openapi-typescript;
 * regenerate with `generate.sh`, never edit by hand) plus openapi-fetch as the runtime client.
 * This file only adds a constructor with bearer authentication and short names for the main
 * schemas.
 */
import createClient, { type Client, type ClientOptions, type Middleware } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

type Schemas = components["schemas"];

// Short names for the schemas a client handles most (the spec's names, as generated).
/** A space as lists show it. */
export type Space = Schemas["SpaceSummary"];
/** A space as `GET /api/v1/spaces/{id}` shows it. */
export type SpaceDetail = Schemas["SpaceDetail"];
export type SpacePage = Schemas["SpacePage"];
export type SpaceOption = Schemas["SpaceOption"];
export type Availability = Schemas["Availability"];
export type Slot = Schemas["Slot"];
export type Order = Schemas["Order"];
export type OrderRequest = Schemas["OrderRequest"];
export type OrderStatus = Schemas["OrderStatus"];
export type OrderPage = Schemas["OrderPage"];
export type Booker = Schemas["Booker"];
export type TokenPair = Schemas["TokenPair"];
export type Me = Schemas["Me"];
export type Review = Schemas["Review"];
/** Every error answer: an RFC 9457 problem. Branch on `code`. */
export type Problem = Schemas["Problem"];

/** The openapi-fetch client typed by the spec: `client.GET("/api/v1/spaces", { params })`. */
export type SpaceCloudClient = Client<paths>;

/** An access token, or a function giving the current one (asked before every request). */
export type AccessToken = string | (() => string | undefined | Promise<string | undefined>);

export interface SpaceCloudClientOptions extends Omit<ClientOptions, "baseUrl"> {
  /** Sent as `Authorization: Bearer …` on every request that does not set its own. */
  accessToken?: AccessToken;
}

/** Middleware that adds `Authorization: Bearer <token>` unless the request already has one. */
export function bearerAuth(token: AccessToken): Middleware {
  return {
    async onRequest({ request }) {
      if (request.headers.has("Authorization")) return undefined;
      const value = typeof token === "function" ? await token() : token;
      if (value) request.headers.set("Authorization", `Bearer ${value}`);
      return request;
    },
  };
}

/**
 * A client for the API at `baseUrl`: the server's root, such as `http://localhost:8080`
 * (the spec's paths already start with `/api/v1`).
 */
export function createSpaceCloudClient(
  baseUrl: string,
  options: SpaceCloudClientOptions = {},
): SpaceCloudClient {
  const { accessToken, ...clientOptions } = options;
  const client = createClient<paths>({ ...clientOptions, baseUrl });
  if (accessToken !== undefined) client.use(bearerAuth(accessToken));
  return client;
}
