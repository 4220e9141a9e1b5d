"""Benefits: the catalogue, members' requests, the TSC's decisions and fulfilment, the treasurer's
export and the erasure of shipping details, a module per use case (`common` holds what they share).
"""
