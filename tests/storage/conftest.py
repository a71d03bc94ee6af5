# The programmes of the demo region, as tests/programs/ has them: the S3 tests upload to and import into them.
from tests.programs.conftest import programmes  # noqa: F401
