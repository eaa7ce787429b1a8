// Helpers for the end-to-end tests: the system under test comes from scripts/with-test-system.sh.
import assert from "node:assert/strict";
import { randomInt, randomUUID } from "node:crypto";
import { setTimeout } from "node:timers/promises";

import {
  createSpaceCloudClient,
  type Me,
  type Problem,
  type Slot,
  type Space,
  type SpaceCloudClient,
  type SpaceOption,
  type TokenPair,
} from "@spacecloud/client";

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through scripts/with-test-system.sh`);
  return value;
}

export const apiBaseUrl = env("API_BASE_URL");
const kakaoStubUrl = env("KAKAO_STUB_URL");

/** An anonymous client. */
export const anonymous = createSpaceCloudClient(apiBaseUrl);

// Kakao ids must be positive and unique per run: a random base, then counting up.
let nextKakaoId = randomInt(1, 2 ** 40);

/** Registers a new Kakao user with the stub and returns an access token Kakao would accept. */
export async function newKakaoToken(nickname: string): Promise<string> {
  const token = `ts-sdk-${randomUUID()}`;
  const response = await fetch(`${kakaoStubUrl}/_stub/tokens/${encodeURIComponent(token)}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ id: nextKakaoId++, nickname, email: null }),
  });
  assert.ok(response.ok, `the Kakao stub refused the token: ${response.status}`);
  return token;
}

export interface SignedIn {
  client: SpaceCloudClient;
  tokens: TokenPair;
  kakaoToken: string;
}

/** Signs a user in with a Kakao token (a new user unless `kakaoToken` is given). */
export async function signIn(nickname: string, kakaoToken?: string): Promise<SignedIn> {
  const token = kakaoToken ?? (await newKakaoToken(nickname));
  const { data, error, response } = await anonymous.POST("/api/v1/auth/kakao", {
    body: { access_token: token },
  });
  assert.equal(response.status, 200, `sign-in answered ${error?.code ?? response.status}`);
  assert.ok(data);
  return {
    client: createSpaceCloudClient(apiBaseUrl, { accessToken: data.access_token }),
    tokens: data,
    kakaoToken: token,
  };
}

export async function getMe(client: SpaceCloudClient): Promise<Me> {
  const { data, error } = await client.GET("/api/v1/me");
  assert.ok(data, `GET /me failed: ${error?.code}`);
  return data;
}

/**
 * Asserts that an SDK call answered a problem with this status and code, and returns it. The
 * problem is the generated error type, so its fields are typed without a cast.
 */
export function expectProblem(
  result: { error?: Problem; response: Response },
  status: number,
  code: string,
): Problem {
  const { error, response } = result;
  assert.ok(error, `expected ${status} ${code}, got ${response.status}`);
  assert.equal(response.status, status);
  assert.equal(error.code, code, `expected ${code}: ${error.detail}`);
  assert.equal(error.status, status);
  assert.equal(error.type, `urn:spacecloud:problem:${code}`);
  assert.match(response.headers.get("content-type") ?? "", /^application\/problem\+json/);
  return error;
}

/** Polls `probe` until it gives a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let interval = 20; ; interval = Math.min(interval * 2, 250)) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await setTimeout(interval);
  }
}

/** The server's business calendar: today and the following days (from the availability calendar). */
export async function businessDays(): Promise<string[]> {
  const list = await anonymous.GET("/api/v1/spaces", { params: { query: { per_page: 1 } } });
  const first = list.data?.items[0];
  assert.ok(first, "the demo data has no space");
  const calendar = await anonymous.GET("/api/v1/spaces/{id}/availability", {
    params: { path: { id: first.id } },
  });
  assert.ok(calendar.data);
  return calendar.data.days.map((day) => day.date);
}

export interface FreeSlot {
  space: Space;
  option: SpaceOption;
  date: string;
  headcount: number;
}

/**
 * A space, option and date that the availability calendar says can be booked now, from
 * tomorrow on, costing at most `maxPrice` (so that the booker's points cover it), on a space
 * that confirms bookings at once (the others wait for their host after payment).
 */
export async function findFreeSlot(maxPrice: number, wantedSlot?: Slot): Promise<FreeSlot> {
  const days = await businessDays();
  const tomorrow = days[1];
  assert.ok(tomorrow);
  const list = await anonymous.GET("/api/v1/spaces", {
    params: {
      query: { date: tomorrow, max_price: maxPrice, sort: "price_asc", per_page: 20, slot: wantedSlot },
    },
  });
  assert.ok(list.data, `listing failed: ${list.error?.code}`);
  for (const space of list.data.items) {
    const detail = await anonymous.GET("/api/v1/spaces/{id}", {
      params: { path: { id: space.id } },
    });
    assert.ok(detail.data);
    if (!detail.data.instant_booking) continue;
    const calendar = await anonymous.GET("/api/v1/spaces/{id}/availability", {
      params: { path: { id: space.id }, query: { from: tomorrow } },
    });
    assert.ok(calendar.data);
    for (const day of calendar.data.days) {
      for (const option of detail.data.options) {
        // Packages only: an hourly option needs start_hour/end_hour, which these tests do not pick.
        if (option.slot === "hourly") continue;
        if (option.price > maxPrice || (wantedSlot && option.slot !== wantedSlot)) continue;
        if (day.slots[option.slot]) {
          return { space, option, date: day.date, headcount: space.min_count };
        }
      }
    }
  }
  throw new Error(`no free slot costing at most ${maxPrice} from ${tomorrow}`);
}

/** Whether the calendar says `slot` of `spaceId` can be booked on `date`. */
export async function isFree(spaceId: number, date: string, slot: Slot): Promise<boolean> {
  const calendar = await anonymous.GET("/api/v1/spaces/{id}/availability", {
    params: { path: { id: spaceId }, query: { from: date, to: date } },
  });
  assert.ok(calendar.data, `availability failed: ${calendar.error?.code}`);
  const day = calendar.data.days[0];
  assert.ok(day);
  assert.equal(day.date, date);
  return day.slots[slot];
}

export const booker = {
  name: "타입스크립트 테스트",
  phone: "010-1234-5678",
  email: "ts-sdk@example.com",
  purpose: "SDK end-to-end test",
};
