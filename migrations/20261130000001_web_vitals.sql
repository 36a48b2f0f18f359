-- Page loads measured in shoppers' browsers (Core Web Vitals), counted per day, page
-- type, metric and bucket. Bounded: at most 9 page types x 4 metrics x 30 buckets rows a
-- day, kept 90 days. No address, session or page address is stored.
CREATE TABLE web_vital_counts (
    day       DATE NOT NULL,
    page_type TEXT NOT NULL,
    metric    TEXT NOT NULL,
    bucket    SMALLINT NOT NULL,
    count     BIGINT NOT NULL,
    PRIMARY KEY (day, page_type, metric, bucket),
    CONSTRAINT web_vital_counts_page_type CHECK (page_type IN
        ('home', 'category', 'search', 'product', 'cart', 'checkout', 'account', 'order', 'other')),
    CONSTRAINT web_vital_counts_metric CHECK (metric IN ('lcp', 'inp', 'cls', 'ttfb')),
    CONSTRAINT web_vital_counts_bucket CHECK (bucket BETWEEN 0 AND 63),
    CONSTRAINT web_vital_counts_count_positive CHECK (count > 0)
);
