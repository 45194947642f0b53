import os

# Imported before conftest and every test module: libgomp (XGBoost, scikit-learn) reads this once at load.
# Spinning OpenMP threads starve the other pytest-xdist worker on a 2-core machine; wait passively.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
