"""The data contract: records, loaders, image normalisation, prompts and the synthetic world.
No model code and no network here."""

from .images import MAX_PIXELS, MIN_PIXELS, load_image
from .loaders import iter_rows, load_records, read_responses, read_text, write_folder, write_parquet
from .schema import Record, RecordError

__all__ = ["Record", "RecordError", "iter_rows", "load_records", "write_folder", "write_parquet", "read_responses",
           "read_text", "load_image", "MIN_PIXELS", "MAX_PIXELS"]
