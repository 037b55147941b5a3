"""CSS values: colours and lengths, parsed and compared one way for the verifier, the handle's
argument matching and the engine's agent. Imports nothing else of the bridge.
"""
