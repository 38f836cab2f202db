"""The model: the provider factory, the offline model, prompts and prices."""
