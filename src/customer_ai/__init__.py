"""Customer AI: the modelling library behind the dbt project (demo data, and later training, scoring and CLV).

dbt Python models stay thin and call into this package, so everything here is testable with pytest.
"""

__version__ = "0.1.0"
