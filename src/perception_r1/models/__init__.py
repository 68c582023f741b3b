"""Model code: `tiny` builds the offline Qwen2.5-VL used by the demo and the tests (imports torch)."""
