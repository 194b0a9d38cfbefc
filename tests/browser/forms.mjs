// Driving the test page (index.html): fill a form, submit it, read what the page shows.

/** Fills the form `id` of `page` with `fields`, submits it, and resolves to what the page shows. */
export const submit = async (page, id, fields) => {
  for (const [name, value] of Object.entries(fields)) {
    const input = `#${id} [name=${name}]`;
    await page.$eval(input, (element) => { element.value = ''; });
    await page.type(input, value);
  }
  await page.click(`#${id} button`);
  const output = await page.waitForSelector(`#${id} output[data-state=done]`);
  const shown = JSON.parse(await output.evaluate((element) => element.value));
  await output.evaluate((element) => { delete element.dataset.state; });
  return shown;
};
