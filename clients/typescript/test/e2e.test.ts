// End-to-end tests of the generated SDK against a real server:
//   scripts/with-test-system.sh -- clients/typescript/test.sh
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, describe, it } from "node:test";

import type { Order, OrderStatus, Space, SpaceCloudClient } from "@spacecloud/client";
import { signInListAndBook } from "../examples/readme.js";
import {
  anonymous,
  apiBaseUrl,
  booker,
  businessDays,
  expectProblem,
  findFreeSlot,
  getMe,
  isFree,
  newKakaoToken,
  signIn,
  waitFor,
  type FreeSlot,
  type SignedIn,
} from "./support.js";

const FINAL: readonly OrderStatus[] = ["failed", "expired", "canceled"];

async function book(client: SpaceCloudClient, slot: FreeSlot, key = randomUUID()): Promise<Order> {
  const { data, error, response } = await client.POST("/api/v1/orders", {
    params: { header: { "Idempotency-Key": key } },
    body: {
      space_id: slot.space.id,
      option_id: slot.option.id,
      date: slot.date,
      headcount: slot.headcount,
      booker,
    },
  });
  assert.equal(response.status, 201, `booking answered ${error?.code}: ${error?.detail}`);
  assert.ok(data);
  return data;
}

describe("SpaceCloud API through the TypeScript SDK", { timeout: 120_000 }, () => {
  let guest: SignedIn;

  before(async () => {
    guest = await signIn("타입스크립트 게스트");
  });

  it("signs in through the Kakao stub", async () => {
    assert.equal(guest.tokens.created, true);
    assert.equal(guest.tokens.token_type, "Bearer");
    assert.ok(guest.tokens.expires_in > 0);
    assert.equal(guest.tokens.user.nickname, "타입스크립트 게스트");
    assert.equal(guest.tokens.user.email, null);

    const me = await getMe(guest.client);
    assert.equal(me.id, guest.tokens.user.id);
    assert.ok(me.points > 0, "a new user starts with sign-up points");

    const again = await signIn("타입스크립트 게스트", guest.kakaoToken);
    assert.equal(again.tokens.created, false);
    assert.equal(again.tokens.user.id, me.id);

    expectProblem(await anonymous.GET("/api/v1/me"), 401, "unauthorized");
    const unknown = await anonymous.POST("/api/v1/auth/kakao", {
      body: { access_token: "a-token-kakao-never-issued" },
    });
    expectProblem(unknown, 401, "invalid_kakao_token");
  });

  it("lists spaces with filters", async () => {
    const all = await anonymous.GET("/api/v1/spaces", { params: { query: { per_page: 100 } } });
    assert.ok(all.data);
    const sample = all.data.items[0];
    assert.ok(sample);

    const districts = await anonymous.GET("/api/v1/districts");
    assert.ok(districts.data?.some((d) => d.id === sample.district.id));
    const categories = await anonymous.GET("/api/v1/categories");
    assert.ok(categories.data?.some((c) => c.id === sample.category.id));

    const headcount = sample.min_count;
    const filtered = await anonymous.GET("/api/v1/spaces", {
      params: {
        query: {
          district_id: sample.district.id,
          category_id: sample.category.id,
          headcount,
          per_page: 100,
        },
      },
    });
    assert.ok(filtered.data);
    assert.ok(filtered.data.items.some((s) => s.id === sample.id));
    assert.equal(filtered.data.total, filtered.data.items.length);
    assert.ok(filtered.data.total <= all.data.total);
    for (const space of filtered.data.items) {
      assert.equal(space.district.id, sample.district.id);
      assert.equal(space.category.id, sample.category.id);
      assert.ok(space.min_count <= headcount && headcount <= space.max_count);
    }

    // A date (and slot): every space listed has that slot free that day.
    const days = await businessDays();
    const date = days[2];
    assert.ok(date);
    const onDate = await anonymous.GET("/api/v1/spaces", {
      params: { query: { date, slot: "night", per_page: 5 } },
    });
    assert.ok(onDate.data);
    assert.ok(onDate.data.items.length > 0);
    for (const space of onDate.data.items) assert.equal(await isFree(space.id, date, "night"), true);

    // Repeated facility_id: every space listed has all of them.
    const facilities = await anonymous.GET("/api/v1/facilities");
    assert.ok(facilities.data);
    const wanted = facilities.data.slice(0, 2).map((f) => f.id);
    const equipped = await anonymous.GET("/api/v1/spaces", {
      params: { query: { facility_id: wanted, per_page: 5 } },
    });
    assert.ok(equipped.data);
    assert.ok(equipped.data.items.length > 0);
    for (const space of equipped.data.items) {
      const detail = await anonymous.GET("/api/v1/spaces/{id}", { params: { path: { id: space.id } } });
      assert.ok(detail.data);
      const has = detail.data.facilities.map((f) => f.id);
      for (const id of wanted) assert.ok(has.includes(id), `space ${space.id} lacks facility ${id}`);
    }

    // A past date matches nothing; a headcount out of range is a 422 problem.
    const past = await anonymous.GET("/api/v1/spaces", { params: { query: { date: "2000-01-01" } } });
    assert.equal(past.data?.total, 0);
    const invalid = await anonymous.GET("/api/v1/spaces", { params: { query: { headcount: 0 } } });
    const problem = expectProblem(invalid, 422, "validation_failed");
    assert.ok(problem.errors?.some((e) => e.field === "headcount"));
  });

  it("pages through the list, following the next page", async () => {
    const perPage = 30;
    const seen: Space[] = [];
    let total: number | undefined;
    for (let page = 1; total === undefined || seen.length < total; page++) {
      const { data, error } = await anonymous.GET("/api/v1/spaces", {
        params: { query: { sort: "price_asc", page, per_page: perPage } },
      });
      assert.ok(data, `page ${page}: ${error?.code}`);
      assert.equal(data.page, page);
      assert.equal(data.per_page, perPage);
      total ??= data.total;
      assert.equal(data.total, total, "the total does not change between pages");
      assert.ok(data.items.length > 0, `page ${page} is empty before the total was reached`);
      seen.push(...data.items);
    }
    assert.ok(seen.length > perPage, "the demo data spans several pages");
    assert.equal(new Set(seen.map((s) => s.id)).size, seen.length, "pages never overlap");
    for (let i = 1; i < seen.length; i++) {
      const [previous, current] = [seen[i - 1], seen[i]];
      assert.ok(previous && current && previous.min_price <= current.min_price, "sorted by price");
    }
    const after = await anonymous.GET("/api/v1/spaces", {
      params: { query: { page: Math.ceil(seen.length / perPage) + 1, per_page: perPage } },
    });
    assert.deepEqual(after.data?.items, []);
  });

  it("reads a space's detail", async () => {
    const list = await anonymous.GET("/api/v1/spaces", { params: { query: { per_page: 1 } } });
    const summary = list.data?.items[0];
    assert.ok(summary);
    const { data } = await anonymous.GET("/api/v1/spaces/{id}", {
      params: { path: { id: summary.id } },
    });
    assert.ok(data);
    assert.equal(data.id, summary.id);
    assert.equal(data.title, summary.title);
    assert.deepEqual(data.district, summary.district);
    assert.equal(data.min_price, Math.min(...data.options.map((o) => o.price)));
    assert.ok(data.options.length > 0);
    assert.ok(data.description.length > 0);
    assert.equal(data.liked, undefined, "an anonymous caller gets no `liked`");

    const signedIn = await guest.client.GET("/api/v1/spaces/{id}", {
      params: { path: { id: summary.id } },
    });
    assert.equal(signedIn.data?.liked, false);
  });

  it("books, pays and waits until the order is completed", async () => {
    const before = await getMe(guest.client);
    const slot = await findFreeSlot(before.points);
    const key = randomUUID();
    const order = await book(guest.client, slot, key);
    assert.equal(order.status, "waiting");
    assert.equal(order.space.id, slot.space.id);
    assert.deepEqual(order.option, slot.option);
    assert.equal(order.amount, slot.option.price);
    assert.equal(order.date, slot.date);
    assert.equal(order.booker.email, booker.email);
    assert.equal(order.refunded_points, null);
    assert.ok(Date.parse(order.hold_expires_at) > Date.now());
    assert.equal(await isFree(slot.space.id, slot.date, slot.option.slot), false);

    // The same Idempotency-Key replays the first answer instead of booking twice.
    const replay = await book(guest.client, slot, key);
    assert.equal(replay.id, order.id);

    const payKey = randomUUID();
    const pay = () =>
      guest.client.POST("/api/v1/orders/{id}/payment", {
        params: { path: { id: order.id }, header: { "Idempotency-Key": payKey } },
      });
    const paid = await pay();
    assert.equal(paid.response.status, 202, paid.error?.code);
    assert.deepEqual(paid.data, { id: order.id, status: "payment_pending" });

    const done = await waitFor("the payment to settle", async () => {
      const { data } = await guest.client.GET("/api/v1/orders/{id}", {
        params: { path: { id: order.id } },
      });
      assert.ok(data);
      assert.ok(!FINAL.includes(data.status), `the order ended ${data.status}`);
      return data.status === "completed" ? data : undefined;
    });
    assert.deepEqual(
      done.history?.map((e) => [e.from, e.to, e.cause]),
      [
        [undefined, "waiting", "booked"],
        ["waiting", "payment_pending", "payment_requested"],
        ["payment_pending", "completed", "payment_settled"],
      ],
    );
    const after = await getMe(guest.client);
    assert.equal(after.points, before.points - order.amount);

    // Paying again with the same key replays the 202; without it the order is not payable.
    assert.equal((await pay()).response.status, 202);
    const again = await guest.client.POST("/api/v1/orders/{id}/payment", {
      params: { path: { id: order.id } },
    });
    expectProblem(again, 409, "order_not_payable");

    const mine = await guest.client.GET("/api/v1/me/orders", {
      params: { query: { status: "completed" } },
    });
    assert.ok(mine.data?.items.some((o) => o.id === order.id && o.status === "completed"));
  });

  it("books another order and cancels it", async () => {
    const me = await getMe(guest.client);
    const slot = await findFreeSlot(me.points);
    const order = await book(guest.client, slot);
    assert.equal(order.status, "waiting");
    assert.equal(await isFree(slot.space.id, slot.date, slot.option.slot), false);

    const cancel = () =>
      guest.client.POST("/api/v1/orders/{id}/cancel", { params: { path: { id: order.id } } });
    const canceled = await cancel();
    assert.equal(canceled.response.status, 200, canceled.error?.code);
    assert.ok(canceled.data);
    assert.equal(canceled.data.id, order.id);
    assert.equal(canceled.data.status, "canceled");
    assert.equal(canceled.data.refunded_points, null, "a waiting order has nothing to refund");
    assert.equal(await isFree(slot.space.id, slot.date, slot.option.slot), true);
    assert.equal((await getMe(guest.client)).points, me.points);

    expectProblem(await cancel(), 409, "order_not_cancelable");
  });

  it("reads the refund policy and reads and marks notifications", async () => {
    const list = await anonymous.GET("/api/v1/spaces", { params: { query: { per_page: 1 } } });
    const summary = list.data?.items[0];
    assert.ok(summary);
    const { data: detail } = await anonymous.GET("/api/v1/spaces/{id}", {
      params: { path: { id: summary.id } },
    });
    assert.ok(detail);
    assert.equal(typeof detail.instant_booking, "boolean");
    assert.ok(["flexible", "standard", "strict"].includes(detail.refund_policy.name));
    const tiers = detail.refund_policy.tiers;
    assert.deepEqual(tiers.at(-1), { days_before: 0, percent: 0 });
    assert.ok(tiers.every((tier, i) => i === 0 || tiers[i - 1]!.days_before > tier.days_before));

    const fresh = await signIn("알림 확인");
    const page = await fresh.client.GET("/api/v1/me/notifications", {
      params: { query: { per_page: 5 } },
    });
    assert.ok(page.data, page.error?.code);
    assert.deepEqual(
      { items: page.data.items, total: page.data.total, unread: page.data.unread_count },
      { items: [], total: 0, unread: 0 },
    );
    const marked = await fresh.client.POST("/api/v1/me/notifications/read", {
      body: { up_to_id: 1 },
    });
    assert.equal(marked.response.status, 204);
    // Only a space's host decides on its bookings; an unknown order is not found.
    expectProblem(
      await fresh.client.POST("/api/v1/orders/{id}/approve", { params: { path: { id: 2_000_000_000 } } }),
      404,
      "not_found",
    );
  });

  it("answers problems the client branches on by `code`", async () => {
    const me = await getMe(guest.client);
    const slot = await findFreeSlot(me.points);
    const held = await book(guest.client, slot);

    // Another user booking the same slot: 409 slot_unavailable.
    const rival = await signIn("라이벌");
    const taken = await rival.client.POST("/api/v1/orders", {
      body: {
        space_id: slot.space.id,
        option_id: slot.option.id,
        date: slot.date,
        headcount: slot.headcount,
        booker,
      },
    });
    let outcome: string;
    if (taken.error) {
      switch (taken.error.code) {
        case "slot_unavailable":
          outcome = "taken";
          break;
        case "too_many_holds":
          outcome = "pay or cancel first";
          break;
        default:
          outcome = `unexpected ${taken.error.code}`;
      }
    } else {
      outcome = `booked order ${taken.data.id}`;
    }
    assert.equal(outcome, "taken");
    expectProblem(taken, 409, "slot_unavailable");

    // The rival cannot see the guest's order: 404, as if it did not exist.
    const hidden = await rival.client.GET("/api/v1/orders/{id}", { params: { path: { id: held.id } } });
    expectProblem(hidden, 404, "not_found");

    // No such space.
    const missing = await anonymous.GET("/api/v1/spaces/{id}", {
      params: { path: { id: 999_999_999 } },
    });
    expectProblem(missing, 404, "not_found");

    // Rule violations list every field at fault.
    const invalid = await guest.client.POST("/api/v1/orders", {
      body: {
        space_id: slot.space.id,
        option_id: slot.option.id,
        date: slot.date,
        headcount: slot.headcount,
        booker: { ...booker, email: "not an email", name: "" },
      },
    });
    const problem = expectProblem(invalid, 422, "validation_failed");
    const fields = problem.errors?.map((e) => e.field).sort();
    assert.deepEqual(fields, ["booker.email", "booker.name"]);

    const released = await guest.client.POST("/api/v1/orders/{id}/cancel", {
      params: { path: { id: held.id } },
    });
    assert.equal(released.data?.status, "canceled");
  });

  it("runs the README example (sign in, list, book)", async () => {
    const kakaoToken = await newKakaoToken("README 예제");
    const days = await businessDays();
    const date = days[3];
    assert.ok(date);
    const order = await signInListAndBook(apiBaseUrl, kakaoToken, date);
    assert.equal(order.status, "waiting");
    assert.equal(order.date, date);
    assert.equal(order.option.slot, "day");
    assert.equal(order.headcount, 4);

    const user = await signIn("README 예제", kakaoToken);
    const canceled = await user.client.POST("/api/v1/orders/{id}/cancel", {
      params: { path: { id: order.id } },
    });
    assert.equal(canceled.data?.status, "canceled");
  });
});
