"""Services of enterprise orders: ``demands`` (demands and quotes), ``ordering`` (orders, seats,
money, sign-off), ``roster`` (the employees), ``subsidy`` (the union's budget)."""
