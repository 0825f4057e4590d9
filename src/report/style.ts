/** The report page's stylesheet, inlined so the HTML file stands alone. */
export const REPORT_CSS = `
:root { color-scheme: light; }
body {
  font-family: 'DejaVu Sans', Verdana, system-ui, sans-serif;
  color: #1d1d1f; background: #fff; margin: 0; line-height: 1.5;
}
header, nav, main { max-width: 900px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 32px; }
h1 { font-size: 1.8rem; margin: 0 0 4px; }
.subtitle { color: #555; margin: 0 0 12px; font-size: 1.05rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px;
  font-size: 0.85rem; color: #555; margin: 0 0 16px; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; font-family: 'DejaVu Sans Mono', monospace; }
nav { border-top: 1px solid #ddd; border-bottom: 1px solid #ddd; padding-bottom: 8px; }
nav h2 { font-size: 1rem; margin: 12px 0 4px; }
nav ol { margin: 0; padding-left: 22px; }
nav ol ol { font-size: 0.9rem; }
a { color: #1f5fa8; }
section { border-bottom: 1px solid #eee; padding: 8px 0 24px; }
section h2 { font-size: 1.4rem; margin: 24px 0 8px; }
.findings { background: #f3f7fc; border-left: 4px solid #1f5fa8; padding: 8px 16px; margin: 12px 0; }
.findings h3 { font-size: 0.95rem; margin: 0 0 4px; text-transform: uppercase; color: #1f5fa8; }
.findings ul { margin: 0; padding-left: 20px; }
.notice { background: #fdf0f0; border-left: 4px solid #b03030; padding: 8px 16px; margin: 12px 0; color: #6b1010; }
.notice ul { margin: 0; padding-left: 20px; }
figure { margin: 24px 0; }
figure .chart { overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #333; }
figcaption .png { font-size: 0.8rem; margin-left: 6px; }
table { border-collapse: collapse; margin: 16px 0; font-size: 0.88rem; }
caption { text-align: left; font-size: 0.9rem; padding-bottom: 4px; color: #333; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e4e4e4; }
th { text-align: left; background: #f6f6f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
footer { max-width: 900px; margin: 0 auto; padding: 16px 24px 32px; color: #777; font-size: 0.8rem; }
`;
