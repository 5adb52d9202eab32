/* staff.mjs - the province's staff pages in headless Chromium (started by
 * tests/browser/staff.sh with a real broker, a kiosk's anonymous complaint
 * and the collector):
 *   1. a wrong password is refused (#login-error); the right one opens the inbox;
 *   2. the complaint's row opens its page: its text, "anonymous", no contact;
 *   3. accepted, then answered: the page says saved and shows the answer;
 *   4. the citizen's follow-up page from the receipt's URL (the #code
 *      fragment, read by the page's script) shows the answer;
 *   5. the same page without JavaScript: the code typed into the form,
 *      the server's page shows the answer;
 *   6. fleet, reports (charts), audit, the English switch, logout.
 * Screenshots of each page go to $TT_BROWSER_OUT.
 * env: TT_BASE, TT_RECEIPT_URL, TT_CODE, TT_SUB_ID, TT_STAFF_USER, TT_STAFF_PASSWORD */
import { runTest, waitUntil } from "./lib.mjs";

const env = process.env;
const base = env.TT_BASE, receiptUrl = env.TT_RECEIPT_URL, code = env.TT_CODE, id = env.TT_SUB_ID;
if (!base || !receiptUrl || !code || !id) { console.error("staff.mjs: run it from tests/browser/staff.sh"); process.exit(2); }
const ANSWER = "UBND xã đã rà soát lại danh sách hộ nghèo và bổ sung tên gia đình ông/bà.";

function expect(cond, what) { if (!cond) throw new Error(what); }

runTest("staff-browser", async ({ browser, page, shot, step }) => {
  await step("login: a wrong password is refused", async () => {
    await page.goto(base + "/staff/");
    await page.locator("#login-form").waitFor();
    await shot(page, "login");
    await page.fill("#user", env.TT_STAFF_USER);
    await page.fill("#password", "không-đúng-mật-khẩu");
    await page.click("#login-submit");
    await page.locator("#login-error").waitFor();
    await shot(page, "login-refused");
  });

  await step("login: the inbox lists the complaint", async () => {
    await page.fill("#user", env.TT_STAFF_USER);
    await page.fill("#password", env.TT_STAFF_PASSWORD);
    await page.click("#login-submit");
    await page.locator("#inbox").waitFor();
    expect((await page.textContent("#whoami")) === env.TT_STAFF_USER, "#whoami is not the staff user");
    await page.locator(`#row-${id}`).waitFor();
    await shot(page, "inbox");
    await page.selectOption("#f-kind", "complaint");
    await page.click("#f-apply");
    await page.locator(`#row-${id}`).waitFor();
    expect(page.url().includes("kind=complaint"), "the filter is not in the URL");
    await shot(page, "inbox-complaints");
  });

  await step("open the submission: anonymous, no contact", async () => {
    await page.click(`#open-${id}`);
    await page.locator("#sub").waitFor();
    expect((await page.textContent("#sub-id")).trim() === id, "#sub-id");
    await page.locator("#sub-anonymous").waitFor();
    expect(await page.locator("#sub-contact-name, #sub-contact-phone, #sub-kiosk").count() === 0,
      "an anonymous complaint shows contact or kiosk rows");
    await shot(page, "submission");
  });

  await step("accept, then answer", async () => {
    await page.selectOption("#status", "accepted");
    await page.fill("#reason", "Thuộc thẩm quyền của UBND xã.");
    await page.click("#status-submit");
    await page.locator("#flash").waitFor();
    await page.fill("#answer", ANSWER);
    await page.click("#answer-submit");
    await page.locator("#flash").waitFor();
    await waitUntil(async () => (await page.textContent("#sub-answer")).includes(ANSWER), "#sub-answer to show the answer");
    await shot(page, "answered");
  });

  await step("the citizen's follow-up page from the receipt's URL (#code, JavaScript)", async () => {
    const citizen = await browser.newContext({ viewport: { width: 412, height: 915 }, locale: "vi-VN" });
    const p = await citizen.newPage();
    await p.goto(receiptUrl);
    await waitUntil(async () => ((await p.textContent("#out")) || "").includes(ANSWER), "the answer on the follow-up page");
    await shot(p, "followup-js");
    await citizen.close();
  });

  await step("the same without JavaScript: the form", async () => {
    const nojs = await browser.newContext({ viewport: { width: 412, height: 915 }, locale: "vi-VN", javaScriptEnabled: false });
    const p = await nojs.newPage();
    await p.goto(receiptUrl.replace(/#.*$/, ""));
    await p.fill("#code", code);
    await Promise.all([p.waitForNavigation(), p.click("#f button")]);
    await waitUntil(async () => ((await p.textContent("#out")) || "").includes(ANSWER), "the answer on the server's page");
    await shot(p, "followup-nojs");
    await nojs.close();
  });

  await step("fleet, reports, audit, English, logout", async () => {
    await page.click("#nav-fleet");
    await page.locator("#fleet").waitFor();
    await shot(page, "fleet");
    await page.click("#nav-reports");
    await page.locator("#report svg.chart").first().waitFor();
    await shot(page, "reports");
    await page.click("#nav-audit");
    await page.locator("#audit").waitFor();
    expect((await page.textContent("#audit")).includes(`staff:${env.TT_STAFF_USER}`), "the audit has no staff row");
    await shot(page, "audit");
    await page.click("#lang");
    await page.locator("#inbox").waitFor();
    expect((await page.getAttribute("html", "lang")) === "en", "no English after the switch");
    await shot(page, "inbox-en");
    await page.click("#logout");
    await page.locator("#login-form").waitFor();
    await page.goto(base + "/staff/inbox");
    await page.locator("#login-form").waitFor();
  });
});
