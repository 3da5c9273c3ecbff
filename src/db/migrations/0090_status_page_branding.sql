-- A status page's look and clock (docs/status-pages.md, "Branding, time zone, badge and widget"):
-- time_zone:    IANA zone the public page shows its times in ('UTC' for pages made before).
-- brand_color:  '#rrggbb' for links and buttons, '' for Vigil's blue.
-- header_color: '#rrggbb' behind the page's header, '' for none.
alter table status_pages add column time_zone text not null default 'UTC';
alter table status_pages add column brand_color text not null default '';
alter table status_pages add column header_color text not null default '';
