"""Quality: customers' reviews, rolling figures, thresholds, alerts and automatic suspension."""
