// Where commands print their results. Tests swap `out` to capture results in-process without touching
// process.stdout, which Node's test runner uses for its own reports.

export const io = {
  out(text: string): void {
    process.stdout.write(text);
  },
};
