"""Operations figures: the totals the Prometheus endpoint /metrics reads at each scrape."""
