import { createSpaceCloudClient, type Order } from "@spacecloud/client";

/** Signs in with a Kakao access token, lists spaces free on `date`, and books the first one. */
export async function signInListAndBook(
  baseUrl: string,
  kakaoAccessToken: string,
  date: string, // YYYY-MM-DD, from today on (Asia/Seoul)
): Promise<Order> {
  const api = createSpaceCloudClient(baseUrl);

  // 1. Sign in: trade the Kakao token for a SpaceCloud token pair.
  const login = await api.POST("/api/v1/auth/kakao", {
    body: { access_token: kakaoAccessToken },
  });
  if (login.error) throw new Error(`sign-in refused: ${login.error.code}`);
  const me = createSpaceCloudClient(baseUrl, { accessToken: login.data.access_token });

  // 2. List: spaces for 4 people whose day slot is free on `date`, cheapest first.
  const list = await api.GET("/api/v1/spaces", {
    params: { query: { headcount: 4, date, slot: "day", sort: "price_asc", per_page: 10 } },
  });
  if (list.error) throw new Error(`listing refused: ${list.error.code}`);
  const space = list.data.items[0];
  if (!space) throw new Error(`no space is free on ${date}`);

  // 3. Book: find the space's day option and hold it (pay within `hold_expires_at`).
  const detail = await api.GET("/api/v1/spaces/{id}", { params: { path: { id: space.id } } });
  if (detail.error) throw new Error(`space ${space.id}: ${detail.error.code}`);
  const option = detail.data.options.find((o) => o.slot === "day");
  if (!option) throw new Error(`space ${space.id} has no day slot`);
  const booked = await me.POST("/api/v1/orders", {
    params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    body: {
      space_id: space.id,
      option_id: option.id,
      date,
      headcount: 4,
      booker: { name: "김민지", phone: "010-1234-5678", email: "minji@example.com" },
    },
  });
  if (booked.error) {
    // Branch on `code`: e.g. `slot_unavailable` (someone was faster) or `too_many_holds`.
    throw new Error(`booking refused: ${booked.error.code} (${booked.error.detail})`);
  }
  return booked.data; // status "waiting"; next: POST /api/v1/orders/{id}/payment
}
