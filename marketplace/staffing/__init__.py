"""The brand's side of staffing over REST: shift slots and customers' reviews of experts."""
