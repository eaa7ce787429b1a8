/**
 * The page: lists spaces with the generated SDK and shows one space's detail when its entry is
 * clicked. The API's root comes from the query string: `index.html?api=http://127.0.0.1:8080`
 * (optionally `&per_page=N`). Every answer is rendered with textContent, never as HTML.
 */
import {
  createSpaceCloudClient,
  type Problem,
  type Space,
  type SpaceDetail,
} from "../../typescript/src/index.js";

type State = "loading" | "listed" | "detail" | "error";

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page has no #${id}`);
  return found;
}

const list = element("spaces", HTMLUListElement);
const detail = element("detail", HTMLElement);
const errorBox = element("error", HTMLParagraphElement);

function setState(state: State): void {
  document.body.dataset.state = state;
}

function showError(message: string): void {
  errorBox.textContent = message;
  errorBox.hidden = false;
  setState("error");
}

function describeProblem(status: number, problem: Problem): string {
  return `${status} ${problem.code}: ${problem.detail ?? problem.title}`;
}

/** A thrown error as the page shows it: a failed fetch is `TypeError: Failed to fetch`. */
function describeThrown(thrown: unknown): string {
  return thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
}

function renderList(spaces: readonly Space[], onPick: (space: Space) => void): void {
  list.replaceChildren(
    ...spaces.map((space) => {
      const item = document.createElement("li");
      item.dataset.spaceId = String(space.id);
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = space.title;
      button.addEventListener("click", () => onPick(space));
      const summary = document.createElement("span");
      summary.textContent = ` — ${space.district.name}, from ${space.min_price.toLocaleString("ko-KR")}원`;
      item.append(button, summary);
      return item;
    }),
  );
}

function renderDetail(space: SpaceDetail): void {
  element("detail-title", HTMLHeadingElement).textContent = space.title;
  element("detail-address", HTMLParagraphElement).textContent = space.address;
  element("detail-host", HTMLParagraphElement).textContent = `host: ${space.host.nickname}`;
  element("detail-options", HTMLUListElement).replaceChildren(
    ...space.options.map((option) => {
      const item = document.createElement("li");
      item.textContent = `${option.slot}: ${option.price.toLocaleString("ko-KR")}원`;
      return item;
    }),
  );
  detail.dataset.spaceId = String(space.id);
  detail.hidden = false;
  setState("detail");
}

async function main(): Promise<void> {
  const params = new URLSearchParams(window.location.search);
  const baseUrl = params.get("api");
  if (!baseUrl) {
    showError("no API: open the page as index.html?api=<the API's root URL>");
    return;
  }
  const perPage = Number(params.get("per_page") ?? "5");
  const api = createSpaceCloudClient(baseUrl);

  async function showSpace(space: Space): Promise<void> {
    try {
      const { data, error, response } = await api.GET("/api/v1/spaces/{id}", {
        params: { path: { id: space.id } },
      });
      if (error) showError(describeProblem(response.status, error));
      else renderDetail(data);
    } catch (thrown) {
      showError(describeThrown(thrown));
    }
  }

  try {
    const { data, error, response } = await api.GET("/api/v1/spaces", {
      params: { query: { per_page: perPage, sort: "newest" } },
    });
    if (error) {
      showError(describeProblem(response.status, error));
      return;
    }
    renderList(data.items, (space) => void showSpace(space));
    list.dataset.total = String(data.total);
    setState("listed");
  } catch (thrown) {
    showError(describeThrown(thrown));
  }
}

void main();
