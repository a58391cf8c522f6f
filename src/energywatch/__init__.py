"""energywatch: verified, geolocated, quantified incident records from energy news."""

__version__ = "0.1.0"
