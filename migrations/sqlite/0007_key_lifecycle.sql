-- Key lifecycle: at most one pre-published (`next`) key per algorithm, so two nodes running the
-- rotation schedule at once cannot both create one.
CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys(alg) WHERE state = 'next';
