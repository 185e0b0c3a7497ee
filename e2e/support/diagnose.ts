import type { Page } from "@playwright/test";

/**
 * Records every answer the page gets from an API path; `explain()` prints them with the
 * page's visible text, so a page that shows nothing in CI says why (an error answer, a
 * redirect to sign-in, an empty list) in the run's output.
 */
export function watchApi(page: Page, pathPrefix: string): { explain: () => Promise<string> } {
  const answers: string[] = [];
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (!url.pathname.startsWith(pathPrefix)) return;
    const at = new Date().toISOString().slice(11, 23);
    void response
      .text()
      .catch(() => "")
      .then((body) =>
        answers.push(`${at} ${response.status()} ${url.pathname}${url.search} ${body.slice(0, 300)}`),
      );
  });
  return {
    explain: async () => {
      const text = await page
        .locator("main")
        .innerText({ timeout: 1000 })
        .catch(() => "(no main)");
      return `page ${page.url()}\nanswers from ${pathPrefix}:\n${answers.join("\n") || "(none)"}\nvisible:\n${text.slice(0, 800)}`;
    },
  };
}

/** Runs the expectations; when they fail, prints what the page was answered and showed. */
export async function explainOnFailure(
  watch: { explain: () => Promise<string> },
  expectations: () => Promise<void>,
): Promise<void> {
  try {
    await expectations();
  } catch (error) {
    console.error(await watch.explain());
    throw error;
  }
}
