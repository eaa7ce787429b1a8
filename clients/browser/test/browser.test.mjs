// The page in dist/ in headless Chromium, as a frontend team would run it: served from an
// allowed origin on another port than the API, it lists spaces and shows a space's detail
// through CORS; served from an origin that is not allowed, its fetch fails in the browser.
//
// Run by test.sh under scripts/with-test-system.sh, which gives API_BASE_URL; test.sh picks
// PAGE_PORT first and starts the API with --cors-origin http://127.0.0.1:$PAGE_PORT.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const API = required("API_BASE_URL");
const PAGE_PORT = Number(required("PAGE_PORT"));
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const PER_PAGE = 4;

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run clients/browser/test.sh`);
  return value;
}

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const files = {
  "/index.html": ["index.html", "text/html; charset=utf-8"],
  "/app.js": ["app.js", "text/javascript; charset=utf-8"],
  "/app.js.map": ["app.js.map", "application/json"],
};

/** A static server for dist/ on 127.0.0.1:port (0: any free port); resolves to its origin. */
async function serveDist(port) {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? "/", "http://page").pathname;
    const file = files[path === "/" ? "/index.html" : path];
    if (request.method !== "GET" || !file) {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    try {
      const body = await readFile(dist + file[0]);
      response.writeHead(200, { "Content-Type": file[1], "Cache-Control": "no-store" }).end(body);
    } catch (error) {
      response.writeHead(500, { "Content-Type": "text/plain" }).end(String(error));
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, close: () => new Promise((resolve) => server.close(resolve)) };
}

let allowed; // the page on the origin in CORS_ALLOWED_ORIGINS
let denied; // the same page on another port: an origin the API does not allow
let browser;

before(async () => {
  allowed = await serveDist(PAGE_PORT);
  denied = await serveDist(0);
  assert.notEqual(denied.origin, allowed.origin);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
  await allowed?.close();
  await denied?.close();
});

/** Opens the page from `origin` in a fresh context, recording console errors and failures. */
async function openPage(origin) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const consoleErrors = [];
  const failedRequests = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(`uncaught: ${error.message}`));
  page.on("requestfailed", (request) =>
    failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`),
  );
  const url = `${origin}/index.html?api=${encodeURIComponent(API)}&per_page=${PER_PAGE}`;
  const response = await page.goto(url);
  assert.equal(response?.status(), 200, `GET ${url}`);
  await page.waitForSelector('body:is([data-state="listed"], [data-state="error"])');
  return { page, context, consoleErrors, failedRequests };
}

/** The API's own answer, from Node (no CORS here), to compare the page with. */
async function apiGet(path, origin) {
  const response = await fetch(`${API}${path}`, { headers: origin ? { Origin: origin } : {} });
  assert.equal(response.status, 200, `GET ${path}`);
  return { body: await response.json(), headers: response.headers };
}

describe("the API's CORS answers (the contract the page relies on)", () => {
  test("the page's origin is allowed; the other origin is served but gets no CORS headers", async () => {
    const yes = await apiGet(`/api/v1/spaces?per_page=${PER_PAGE}`, allowed.origin);
    assert.equal(yes.headers.get("access-control-allow-origin"), allowed.origin);
    const no = await apiGet(`/api/v1/spaces?per_page=${PER_PAGE}`, denied.origin);
    assert.equal(no.headers.get("access-control-allow-origin"), null);
  });
});

describe("the page on an allowed origin", () => {
  test("lists spaces and shows the chosen space's detail, with no console error", async (t) => {
    const expected = (await apiGet(`/api/v1/spaces?per_page=${PER_PAGE}&sort=newest`)).body;
    assert.ok(expected.items.length >= 2, "the demo data has at least two spaces");

    const { page, context, consoleErrors, failedRequests } = await openPage(allowed.origin);
    t.after(() => context.close());
    assert.equal(
      await page.locator("body").getAttribute("data-state"),
      "listed",
      `the list failed: ${await page.locator("#error").textContent()}`,
    );
    assert.equal(await page.locator("#error").isHidden(), true);

    // The list: the API's first page, in its order, rendered by the page.
    const items = page.locator("#spaces > li");
    assert.equal(await items.count(), expected.items.length);
    assert.ok(expected.items.length <= PER_PAGE, "per_page reached the API");
    assert.deepEqual(
      await page.locator("#spaces > li > button").allTextContents(),
      expected.items.map((space) => space.title),
    );
    assert.deepEqual(
      await items.evaluateAll((lis) => lis.map((li) => Number(li.dataset.spaceId))),
      expected.items.map((space) => space.id),
    );
    assert.equal(await page.locator("#spaces").getAttribute("data-total"), String(expected.total));

    // The detail: pick the second entry (not merely the first thing loaded).
    const chosen = expected.items[1];
    const detail = (await apiGet(`/api/v1/spaces/${chosen.id}`)).body;
    await items.nth(1).locator("button").click();
    await page.waitForSelector(`body:is([data-state="detail"], [data-state="error"])`);
    assert.equal(
      await page.locator("body").getAttribute("data-state"),
      "detail",
      `the detail failed: ${await page.locator("#error").textContent()}`,
    );
    assert.equal(await page.locator("#detail").getAttribute("data-space-id"), String(chosen.id));
    assert.equal(await page.locator("#detail-title").textContent(), chosen.title);
    assert.equal(await page.locator("#detail-title").textContent(), detail.title);
    assert.equal(await page.locator("#detail-address").textContent(), detail.address);
    assert.equal(await page.locator("#detail-options > li").count(), detail.options.length);
    await page.screenshot({ path: fileURLToPath(new URL("../dist/allowed.png", import.meta.url)) });

    assert.deepEqual(consoleErrors, [], "no console errors");
    assert.deepEqual(failedRequests, [], "no failed requests");
  });
});

describe("the same page on an origin that is not allowed", () => {
  test("cannot read the API: the fetch fails and the page shows its error", async (t) => {
    const { page, context, consoleErrors } = await openPage(denied.origin);
    t.after(() => context.close());
    assert.equal(await page.locator("body").getAttribute("data-state"), "error");
    assert.equal(await page.locator("#error").isVisible(), true);
    assert.equal(await page.locator("#error").textContent(), "TypeError: Failed to fetch");
    assert.equal(await page.locator("#spaces > li").count(), 0);
    await page.screenshot({ path: fileURLToPath(new URL("../dist/denied.png", import.meta.url)) });
    // Chromium says why: the answer came, without Access-Control-Allow-Origin for this origin.
    assert.ok(
      consoleErrors.some(
        (text) =>
          text.includes(`from origin '${denied.origin}' has been blocked by CORS policy`) &&
          text.includes("No 'Access-Control-Allow-Origin' header"),
      ),
      `a CORS console error, got: ${JSON.stringify(consoleErrors)}`,
    );
  });
});
