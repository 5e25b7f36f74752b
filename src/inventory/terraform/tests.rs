//! Unit tests of Terraform plan reading.
