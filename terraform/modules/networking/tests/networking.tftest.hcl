# Plans the network with a mock AWS provider: subnets per AZ, NAT gateways
# (one, or one per AZ), the DynamoDB gateway endpoint on the private routes.

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
}

variables {
  name            = "test"
  cidr            = "10.0.0.0/16"
  azs             = ["us-east-1a", "us-east-1b"]
  public_subnets  = ["10.0.0.0/24", "10.0.1.0/24"]
  private_subnets = ["10.0.10.0/24", "10.0.11.0/24"]
}

run "single_nat_gateway" {
  command = plan

  variables {
    single_nat_gateway = true
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1 && length(aws_eip.nat) == 1
    error_message = "One NAT gateway and one EIP."
  }

  assert {
    condition     = length(aws_route_table.private) == 1 && length(aws_route.private_nat) == 1
    error_message = "One private route table through the NAT."
  }

  assert {
    condition     = [for s in aws_subnet.private : s.cidr_block] == ["10.0.10.0/24", "10.0.11.0/24"] && [for s in aws_subnet.private : s.availability_zone] == ["us-east-1a", "us-east-1b"]
    error_message = "One private subnet per AZ."
  }

  assert {
    condition     = length(aws_subnet.public) == 2 && aws_route.public_internet.destination_cidr_block == "0.0.0.0/0"
    error_message = "Public subnets route to the internet gateway."
  }

  assert {
    condition     = aws_vpc_endpoint.dynamodb[0].vpc_endpoint_type == "Gateway" && aws_vpc_endpoint.dynamodb[0].service_name == "com.amazonaws.us-east-1.dynamodb"
    error_message = "DynamoDB gateway endpoint in the VPC's region."
  }

  assert {
    condition     = length(aws_vpc_endpoint.dynamodb[0].route_table_ids) == length(aws_route_table.private)
    error_message = "The DynamoDB endpoint is on every private route table."
  }
}

run "one_nat_gateway_per_az" {
  command = plan

  variables {
    azs                = ["us-east-1a", "us-east-1b", "us-east-1c"]
    public_subnets     = ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]
    private_subnets    = ["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24"]
    single_nat_gateway = false
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 3 && length(aws_eip.nat) == 3
    error_message = "One NAT gateway per AZ."
  }

  assert {
    condition     = length(aws_route_table.private) == 3 && length(aws_route.private_nat) == 3
    error_message = "One private route table per AZ, each through its own NAT."
  }

  assert {
    condition     = output.nat_gateway_count == 3
    error_message = "nat_gateway_count reports 3."
  }
}

run "rejects_subnet_count_mismatch" {
  command = plan

  variables {
    private_subnets = ["10.0.10.0/24"]
  }

  expect_failures = [aws_vpc.this]
}

run "rejects_single_az" {
  command = plan

  variables {
    azs             = ["us-east-1a"]
    public_subnets  = ["10.0.0.0/24"]
    private_subnets = ["10.0.10.0/24"]
  }

  expect_failures = [var.azs]
}
