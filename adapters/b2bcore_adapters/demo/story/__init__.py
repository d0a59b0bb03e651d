"""The parts of the generated book of business (see
``b2bcore_adapters.demo.generator``): its vocabulary, the sales team and accounts,
and the dated stories of assets, deals and leads."""
