"""The framework adapters stay optional: importing glorot_numba loads none."""

import subprocess
import sys
import textwrap


def test_importing_the_package_loads_no_framework():
    script = textwrap.dedent("""
        import sys
        import glorot_numba as gn
        gn.GlorotNormal(seed=0)((4, 4))
        loaded = sorted(m for m in ("torch", "keras", "jax", "jaxlib", "flax", "tensorflow")
                        if m in sys.modules)
        print(",".join(loaded) or "none")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "none"
