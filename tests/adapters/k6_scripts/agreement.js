// reportgen agreement run: a short k6 test whose own summary is the oracle for the stream adapters.
// Env: BASE (target URL), SUMMARY (where handleSummary writes k6's summary data object as JSON).
import http from 'k6/http';
import { check, group, sleep } from 'k6';
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';

const itemsSeen = new Counter('items_seen');
const lastItems = new Gauge('last_items');
const itemsOk = new Rate('items_ok');
const parseTime = new Trend('parse_time', true);
const pageSize = new Trend('page_size');

export const options = {
  vus: 3,
  duration: __ENV.DURATION || '5s',
  thresholds: {
    'http_req_duration{name:items}': ['p(95)<500'],
    'http_req_duration{name:slow}': ['p(95)<150'], // meant to be crossed: /slow sleeps 80–250 ms
    'http_req_duration{status:500}': ['max<1000'],
    'group_duration{group:::catalog}': ['p(90)<2000'],
    'http_req_waiting': ['p(99.99)<5000'],
    http_req_failed: ['rate<0.5'],
    checks: ['rate>0.5'],
    items_ok: ['rate>0.5'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'count'],
};

export default function () {
  const base = __ENV.BASE;
  group('catalog', function () {
    const list = http.get(`${base}/api/items`, { tags: { name: 'items' } });
    const t0 = Date.now();
    const items = list.json();
    parseTime.add(Date.now() - t0);
    pageSize.add(items.length);
    itemsSeen.add(items.length);
    lastItems.add(items.length);
    itemsOk.add(list.status === 200);
    check(list, { 'items is 200': (r) => r.status === 200 });
  });
  const flaky = http.get(`${base}/flaky`, { tags: { name: 'flaky' } });
  check(flaky, { 'flaky is 200': (r) => r.status === 200 });
  http.get(`${base}/slow`, { tags: { name: 'slow' } });
  sleep(0.05);
}

export function handleSummary(data) {
  return { [__ENV.SUMMARY]: JSON.stringify(data, null, 1) };
}
