// The charts, an entry of their own (@hivemind/ui/charts): chart.js is bundled only with the pages
// that draw one, not with every page that takes an error reader or a badge from @hivemind/ui.
export { LineChart, type Series } from './line-chart';
export { TrendChart } from './trend-chart';
